# Exercise 3.2: the formula asks for far more than 6 replicas; maxReplicas caps it at 6.
prediction = 6
