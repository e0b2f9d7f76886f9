"""Analysis: pure taggers over batches of mentions, and the incremental pass that runs them."""
