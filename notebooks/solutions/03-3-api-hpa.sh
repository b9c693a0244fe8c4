# Exercise 3.3: the command-line form of an HPA.
kubectl autoscale deployment api --min=2 --max=5 --cpu=50% -n "$NAMESPACE"
