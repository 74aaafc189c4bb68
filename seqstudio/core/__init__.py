"""What both tasks share: artifacts, device policy, errors, atomic writes, progress. No music, speech or Qt."""
