"""Reading and checking what comes in: questionnaires, answers, client folders, customer feedback, survey exports, forms."""
