-- A generated Apache Fineract tenant (after tenant-schema.sql), for the benchmarks: 10 regions,
-- 200 branches, 2,000 loan officers, one client per loan, each loan with 16 installments every
-- 14 days, its disbursement and 0-16 repayments (about 27 tenant rows per loan); 1 loan in 20 is
-- closed. Used by scripts/bench-fineract.sh and scripts/bench-events.sh.
--   psql -v ON_ERROR_STOP=1 -v loans=N -f scripts/fineract/generate-tenant.sql
INSERT INTO m_office (id, parent_id, hierarchy, name, opening_date)
SELECT r + 1, 1, '.' || (r + 1) || '.', 'Region ' || r, DATE '2020-01-01' FROM generate_series(1, 10) r;
INSERT INTO m_office (id, parent_id, hierarchy, name, opening_date)
SELECT 100 + b, 2 + b % 10, '.' || (2 + b % 10) || '.' || (100 + b) || '.', 'Branch ' || b, DATE '2020-01-01' FROM generate_series(1, 200) b;
INSERT INTO m_code_value (id, code_id, code_value) VALUES (10, 4, 'Female'), (11, 4, 'Male');
INSERT INTO m_payment_type (id, value) VALUES (1, 'Cash'), (2, 'Mobile Money');
INSERT INTO m_staff (id, is_loan_officer, office_id, firstname, lastname, display_name, mobile_no, is_active, joining_date)
SELECT s, TRUE, 101 + s % 200, 'First' || s, 'Last' || s, 'Last' || s || ', First' || s, '+234 800 ' || lpad(s::text, 7, '0'), TRUE,
       DATE '2021-03-01'
FROM generate_series(1, 2000) s;
INSERT INTO m_client (id, account_no, office_id, display_name, mobile_no, gender_cv_id, date_of_birth, created_on_utc, last_modified_on_utc)
SELECT c, 'C' || c, 101 + c % 200, 'Client ' || c, '0700' || lpad(c::text, 8, '0'), 10 + c % 2, DATE '1990-05-01',
       now() - interval '1 day', now() - interval '1 day'
FROM generate_series(1, :loans) c;
-- Loan l: principal 16 * (1000 + 10 * (l % 100)), 16 installments every 14 days, 1 in 20 closed.
CREATE TEMP TABLE book AS
SELECT l, (16000 + 160 * (l % 100))::numeric AS p, DATE '2023-01-01' + (l % 500) AS d FROM generate_series(1, :loans) l;
INSERT INTO m_loan (id, account_no, client_id, loan_officer_id, loan_status_id, loan_type_enum, currency_code, currency_digits,
    principal_amount_proposed, principal_amount, approved_principal, net_disbursal_amount, annual_nominal_interest_rate,
    interest_method_enum, repay_every, repayment_period_frequency_enum, number_of_repayments, amortization_method_enum,
    submittedon_date, disbursedon_date, expected_disbursedon_date, expected_maturedon_date, closedon_date,
    principal_disbursed_derived, fee_charges_charged_derived, created_on_utc, last_modified_on_utc)
SELECT l, 'L' || l, l, 1 + l % 2000, CASE WHEN l % 20 = 0 THEN 600 ELSE 300 END, 1, 'NGN', 2, p, p, p, p, 24, 1, 14, 0, 16, 1,
       d, d, d, d + 224, CASE WHEN l % 20 = 0 THEN d + 224 END, p, 0, now() - interval '1 day', now() - interval '1 day'
FROM book;
INSERT INTO m_loan_repayment_schedule (loan_id, fromdate, duedate, installment, principal_amount, interest_amount, fee_charges_amount,
    completed_derived, created_on_utc, last_modified_on_utc)
SELECT l, d + 14 * (n - 1), d + 14 * n, n, p / 16, 40, 0, FALSE, now() - interval '1 day', now() - interval '1 day'
FROM book, generate_series(1, 16) n;
INSERT INTO m_loan_transaction (loan_id, office_id, is_reversed, transaction_type_enum, transaction_date, amount,
    principal_portion_derived, submitted_on_date, created_on_utc, last_modified_on_utc)
SELECT l, 101 + l % 200, FALSE, 1, d, p, p, d, now() - interval '1 day', now() - interval '1 day' FROM book;
-- 0 to 16 repayments (8 on average), each paying its installment.
INSERT INTO m_loan_transaction (loan_id, office_id, is_reversed, transaction_type_enum, transaction_date, amount,
    principal_portion_derived, interest_portion_derived, fee_charges_portion_derived, submitted_on_date, created_on_utc, last_modified_on_utc)
SELECT l, 101 + l % 200, FALSE, 2, d + 14 * n, p / 16 + 40, p / 16, 40, 0, d + 14 * n, now() - interval '1 day', now() - interval '1 day'
FROM book, generate_series(1, 16) n WHERE n <= CASE WHEN l % 20 = 0 THEN 16 ELSE l % 17 END;
SELECT setval(pg_get_serial_sequence('m_loan_transaction', 'id'), (SELECT max(id) FROM m_loan_transaction));
VACUUM ANALYZE;
