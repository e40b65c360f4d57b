"""The pure domain: values and rules. Imports no storage, HTTP or CLI code."""
