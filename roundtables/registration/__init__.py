"""Registration for sessions: each session's policy (seats, quotas per constituency, who, when),
the waiting list, tickets (the check-in code as a QR code, the calendar file), the door's check-in,
and the staff's registration pages."""
