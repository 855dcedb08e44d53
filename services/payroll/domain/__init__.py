"""Domain core of the payroll service: plain Python, no framework or database imports.

business_hours.py  Quebec business days and the business hours of notice before a service
cancellation.py    what a cancellation at a given moment costs, under the policy in force
policy.py          PayPolicy (data, versioned by effective date) and PolicyBook
remuneration.py    Remuneration: the remuneration screen's lines, taxes, total, why
pricing.py         price(): booking + service report + tax registration -> Remuneration
subjects.py        who a booking pays: the assigned interpreter, and withdrawals with communications
ledger.py          amounts in cents, and where a computation is booked (periods, adjustments)
periods.py         the pay periods' calendar
"""
