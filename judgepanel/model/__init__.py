"""The domain: workspaces, entities, workflows (prepare, judge, merge), scoring. No Qt."""
