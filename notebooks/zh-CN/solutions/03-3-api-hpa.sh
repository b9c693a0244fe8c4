# 练习 3.3：HPA 的命令行写法。
kubectl autoscale deployment api --min=2 --max=5 --cpu=50% -n "$NAMESPACE"
