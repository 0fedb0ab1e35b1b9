"""Writes one of the live benchmark's bulk NDJSON files (one JSON object a line, about --records
lines, money as JSON numbers with two decimals, every repayment's payment_amount the exact sum of
its parts, nothing dated after --date):

  --kind repayments   new repayments of the existing Active loans in --loans-file (lines
                      `loan_id<TAB>officer_id`), dated --date, each loan in turn (a loan gets a
                      second one only when there are more records than loans): the catch-up shape,
                      where every record updates a loan that is already there.
  --kind book         new loans of the existing officers in --officers-file (lines
                      `officer_id<TAB>officer_name<TAB>region<TAB>branch`), each followed by its
                      repayments (weekly loans over 84 days disbursed 70 days before --date: nine
                      instalments due, nine repayments), so 1 loan in 10 records: the initial-load
                      shape. Their customers are new (created from the names on the loans).
"""
import argparse
import datetime
import json
import random

p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
p.add_argument("--kind", choices=["repayments", "book"], required=True)
p.add_argument("--loans-file")
p.add_argument("--officers-file")
p.add_argument("--records", type=int, default=200000)
p.add_argument("--date", required=True)
p.add_argument("--run-id", required=True)
p.add_argument("--seed", type=int, default=41)
p.add_argument("--out", required=True)
args = p.parse_args()
rng = random.Random(args.seed)
day = datetime.date.fromisoformat(args.date)


def money(cents):
    return f"{cents // 100}.{cents % 100:02d}"


def repayment(out, repayment_id, loan_id, date, principal, interest):
    out.write(f'{{"type":"repayment","repayment_id":"{repayment_id}","loan_id":{json.dumps(loan_id)},'
              f'"payment_date":"{date}","payment_amount":{money(principal + interest)},'
              f'"principal_paid":{money(principal)},"interest_paid":{money(interest)},"fees_paid":0.00,'
              f'"penalty_paid":0.00,"payment_method":"Transfer","payment_channel":"Mobile",'
              f'"is_backdated":false,"is_reversed":false}}\n')


with open(args.out, "w") as out:
    if args.kind == "repayments":
        loans = [line.split("\t", 1)[0] for line in open(args.loans_file) if line.strip()]
        if not loans:
            raise SystemExit(f"make_ndjson: no loans in {args.loans_file}")
        rng.shuffle(loans)
        for i in range(args.records):
            repayment(out, f"BULK-{args.run_id}-{i:07d}", loans[i % len(loans)], day,
                      rng.randint(100, 10000), rng.randint(10, 2000))
    else:
        officers = [line.rstrip("\n").split("\t") for line in open(args.officers_file) if line.strip()]
        officers = [o for o in officers if len(o) == 4]
        if not officers:
            raise SystemExit(f"make_ndjson: no officers in {args.officers_file}")
        disbursed = day - datetime.timedelta(days=70)
        for n in range(max(1, args.records // 10)):
            officer_id, officer_name, region, branch = officers[n % len(officers)]
            loan_id = f"BLKL-{args.run_id}-{n:07d}"
            amount = rng.randint(200, 5000) * 10000          # 20,000.00 .. 500,000.00
            rate = rng.randint(10, 30)                       # 0.10 .. 0.30
            interest_total = (amount * rate * 84 + 50 * 365) // (100 * 365)
            out.write(f'{{"type":"loan","loan_id":"{loan_id}","customer_id":"BLKC-{args.run_id}-{n:07d}",'
                      f'"customer_name":"Bulk Customer {n}","officer_id":{json.dumps(officer_id)},'
                      f'"officer_name":{json.dumps(officer_name)},"region":{json.dumps(region)},'
                      f'"branch":{json.dumps(branch)},"loan_amount":{money(amount)},'
                      f'"disbursement_date":"{disbursed}","maturity_date":"{disbursed + datetime.timedelta(days=84)}",'
                      f'"loan_term_days":84,"interest_rate":0.{rate:02d},"fee_amount":{money(amount // 100)},'
                      f'"repayment_every_days":7,"channel":"Direct","status":"Active"}}\n')
            for k in range(1, 10):
                paid_on = disbursed + datetime.timedelta(days=7 * k + rng.choice((0, 0, 0, 1, 3)))
                repayment(out, f"BLKR-{args.run_id}-{n:07d}-{k}", loan_id, min(paid_on, day),
                          amount // 12, interest_total // 12)
