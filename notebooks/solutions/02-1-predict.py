# Exercise 2.1: an undo writes the old template back into the Deployment, which makes a new
# revision numbered after the last one (4): 5. Revision 3 disappears from the history.
prediction = 5
