"""Question platforms and published rounds: what comes in from outside and what goes back."""
