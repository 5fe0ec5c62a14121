"""De-identification: the labelling engine (analyzer findings + codebook -> labelled,
replaced text). It knows texts and paragraphs, not transcripts or studies: the pseudonymise
stage adapts transcripts to it, and ``deidentify`` documents."""
