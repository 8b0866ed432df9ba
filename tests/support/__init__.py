"""Shared helpers for bpmnflow's tests (the Camunda REST contract checker lives here)."""
