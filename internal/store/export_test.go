package store

// PipelineRounds is how many rounds Pipeline has sent in this process.
func PipelineRounds() int64 { return pipelineRounds.Load() }
