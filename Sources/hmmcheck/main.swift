import HMMCheckCLI

HMMCheck.main()
