"""Text templates of the demo company: ticket topics, replies, survey and CRM phrases."""
