"""Domain core of the notification service (plain Python, no I/O):

routing.py       who is told what (the matrix of docs/contracts.md, Notification)
booking_copy.py  the service's copy of a booking: booking's contract fold, without health data
schedule.py      when timed messages are due (reminders, document expiries, the daily digest)
messages.py      the texts in French and English, and the page each one links to
"""
