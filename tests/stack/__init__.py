"""The embedded local ATH stack (ath.testing) on its own, the generated Python client against
it, and the stack's independence from the SDK it is an oracle for."""
