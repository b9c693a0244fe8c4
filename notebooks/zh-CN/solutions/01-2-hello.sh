# 练习 1.2：`kubectl create deployment` 根据命令行标志创建 Deployment
# （加上 `--dry-run=client -o yaml` 可以先看看它生成的 YAML）。
kubectl create deployment hello --image=nginx:1.27 --replicas=2 -n "$NAMESPACE"
