//go:build agents

package conformance

import (
	"context"
	"errors"
	"testing"

	"github.com/analyticsexporter/analyticsexporter/internal/mockmodel"
)

// runCodex runs the scenario with the agent. Not written yet.
func runCodex(_ context.Context, _ *testing.T, _ runEnv, _ mockmodel.Scenario) (runInfo, error) {
	return runInfo{}, errors.New("no runner yet")
}
