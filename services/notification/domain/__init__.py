"""Domain core of the notification service (plain Python). Its rules arrive with the notification issue; today the
service records the booking events it receives."""
