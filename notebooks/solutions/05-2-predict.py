# Exercise 5.2: one pod per eligible node, and only one node carries the nickname: 1.
prediction = 1
