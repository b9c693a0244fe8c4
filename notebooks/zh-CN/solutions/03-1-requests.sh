# 练习 3.1：`kubectl describe hpa` 报告无法获取 CPU 利用率：容器没有 CPU 请求量，
# 而利用率是相对于请求量的百分比。给每个 Pod 请求十分之一个 CPU。
kubectl set resources deployment node-js-deploy --requests=cpu=100m -n "$NAMESPACE"
kubectl rollout status deployment/node-js-deploy -n "$NAMESPACE" --timeout=90s
