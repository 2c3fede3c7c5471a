"""Security probes of issue #13 (marked ``security``)."""
