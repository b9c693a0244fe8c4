# Exercise 1.1: the ReplicaSet replaces the deleted pod at once, so 3 pods run again.
prediction = 3
