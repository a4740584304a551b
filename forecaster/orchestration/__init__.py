"""Where flows run: the deployments `forecaster deploy` registers, work pools, the GPU limit, crash detection."""
