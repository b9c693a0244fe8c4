# 练习 4.3：restartPolicy 为 Never 时，每次重试都是一个新的 Pod，配一个新的空 emptyDir，
# 所以永远找不到那个缓存。改为 OnFailure 后，kubelet 在同一个 Pod 里重启容器：卷（连同缓存）
# 保留下来，第二次运行就会成功。在 OnFailure 下，Job 把容器的重启次数计入 backoffLimit，
# 达到这个值就放弃：backoffLimit 为 1 时，Job 在第一次重启时就会结束，所以改为 2。
# Job 的模板不能修改：删除这个 Job，再用改过的副本重新创建它。
kubectl delete job import -n "$NAMESPACE" --ignore-not-found
sed -e 's/restartPolicy: Never/restartPolicy: OnFailure/' -e 's/backoffLimit: 1/backoffLimit: 2/' manifests/exercises/04-import.yaml | kubectl apply -n "$NAMESPACE" -f -
kubectl wait --for=condition=Complete job/import -n "$NAMESPACE" --timeout=90s
