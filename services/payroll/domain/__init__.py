"""Domain core of the payroll service: plain Python, no framework or database imports.

money.py           exact amounts (integer cents), French and English formatting
business_hours.py  Quebec business days and the "48 business hours" of late cancellations
policy.py          PayPolicy (data, versioned by effective date) and PolicyBook
remuneration.py    Remuneration: the remuneration screen's lines, taxes, total, why
pricing.py         price(): booking + service report + tax registration -> Remuneration
"""
