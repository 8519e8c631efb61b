"""Modal dialogs the dashboard pushes over the main screen: the MFA token prompt and yes/no questions."""
