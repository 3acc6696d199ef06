package store

// PipelineRounds is how many rounds Pipeline has sent in this process.
func PipelineRounds() int64 { return pipelineRounds.Load() }

// PipelineStatements is how many statements those rounds held.
func PipelineStatements() int64 { return pipelineStatements.Load() }
