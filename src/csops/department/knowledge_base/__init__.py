"""Knowledge Base specialist: repeat questions, articles, suggestions, deflection."""
