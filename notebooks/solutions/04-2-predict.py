# Exercise 4.2: the Job gives up when more than backoffLimit (2) pods have failed, and keeps them: 3.
prediction = 3
