# 练习 1.3：Pod 停在 ErrImagePull / ImagePullBackOff 状态：镜像标签 "1.27-alpien" 并不存在。
# 把容器的镜像改成本来想用的那个，Deployment 就会上线新的 Pod。
kubectl set image deployment/web web=nginx:1.27 -n "$NAMESPACE"
kubectl rollout status deployment/web -n "$NAMESPACE" --timeout=90s
