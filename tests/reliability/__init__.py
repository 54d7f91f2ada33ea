"""The reliability suite: the real engine against the emulator with faults, interruptions, drift and bad input."""
