"""Modal dialogs the dashboard pushes over the main screen (the MFA token prompt, yes/no questions),
and the 6-digit code field they and the enrolment screen share."""
