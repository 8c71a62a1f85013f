"""The registry's domains, one subpackage per service in one shape (input rules, queries and stores,
frozen records), and the text helpers of Greek names."""
