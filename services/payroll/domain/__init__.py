"""Domain core of the payroll service (plain Python). Its rules arrive with the payroll issue; today the
service records the booking events it receives."""
