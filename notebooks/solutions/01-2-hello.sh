# Exercise 1.2: kubectl create deployment makes a Deployment from flags (add --dry-run=client -o yaml to see it).
kubectl create deployment hello --image=nginx:1.27 --replicas=2 -n "$NAMESPACE"
