"""Knowledge base: categories, FAQs, onboarding guides and their feedback."""
