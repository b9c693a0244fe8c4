//go:build tools

// Package tools: the commands live in this module itself (kindnetd, pod-scaling, node-problem-detector).
package tools
