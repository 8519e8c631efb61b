"""Full screens the dashboard pushes (enrolment, policy, ...), each self-contained."""
