"""What users install and read: the built package, the 0.1.0 API kept, the version, the
README, the examples and quick reference, the LangChain tool, and the public 0.1.0 against
our stack."""
