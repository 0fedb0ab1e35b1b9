"""Writes the live benchmark's bulk NDJSON file: `--records` new repayments of the Active loans in
`--loans-file` (lines `loan_id<TAB>officer_id`), dated `--date`, one JSON object a line, each loan
in turn (a loan gets a second repayment only when the file has more records than loans). Money is
written as JSON numbers with two decimals; `payment_amount` is the exact sum of its parts."""
import argparse
import json
import random

p = argparse.ArgumentParser(description=__doc__)
p.add_argument("--loans-file", required=True)
p.add_argument("--records", type=int, default=200000)
p.add_argument("--date", required=True)
p.add_argument("--run-id", required=True)
p.add_argument("--seed", type=int, default=41)
p.add_argument("--out", required=True)
args = p.parse_args()

rng = random.Random(args.seed)
loans = [line.split("\t", 1)[0] for line in open(args.loans_file) if line.strip()]
rng.shuffle(loans)
if not loans:
    raise SystemExit(f"make_ndjson: no loans in {args.loans_file}")
with open(args.out, "w") as out:
    for i in range(args.records):
        principal = rng.randint(100, 10000)
        interest = rng.randint(10, 2000)
        out.write(f'{{"type":"repayment","repayment_id":"BULK-{args.run_id}-{i:07d}",'
                  f'"loan_id":{json.dumps(loans[i % len(loans)])},"payment_date":"{args.date}",'
                  f'"payment_amount":{(principal + interest) / 100:.2f},"principal_paid":{principal / 100:.2f},'
                  f'"interest_paid":{interest / 100:.2f},"fees_paid":0.00,"penalty_paid":0.00,'
                  f'"payment_method":"Transfer","payment_channel":"Mobile","is_backdated":false,"is_reversed":false}}\n')
