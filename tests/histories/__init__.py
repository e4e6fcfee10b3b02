"""Recorded event histories, replayed through current code in every test run."""
