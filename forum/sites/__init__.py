"""Other sites whose pages carry a thread of ours: registered sites, their pages' articles."""
