# Exercise 1.3: the pods wait in ErrImagePull / ImagePullBackOff: the tag "1.27-alpien" does not
# exist. Point the container at the image that was meant; the Deployment rolls out new pods.
kubectl set image deployment/web web=nginx:1.27 -n "$NAMESPACE"
kubectl rollout status deployment/web -n "$NAMESPACE" --timeout=90s
