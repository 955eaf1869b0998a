// Times the AWS SDK for Go v2's cold credential resolution in-process (process start-up excluded):
// each run loads a new default config (outside the timed region) and times
// cfg.Credentials.Retrieve through the SDK's whole default chain.
//
// Usage: go_peer RUNS. The endpoint comes from the environment (AWS_EC2_METADATA_SERVICE_ENDPOINT,
// or AWS_CONTAINER_CREDENTIALS_FULL_URI + AWS_CONTAINER_AUTHORIZATION_TOKEN), or the role profile
// (AWS_PROFILE, AWS_CONFIG_FILE, AWS_CA_BUNDLE: LoadDefaultConfig builds the STS client and the
// assume-role provider outside the timed region; Retrieve makes the AssumeRole), set by peers.py.
// Prints one JSON line like botocore_peer.py; no credential value is printed. Built offline against
// Debian's golang-github-aws-aws-sdk-go-v2-dev (GOPATH=/usr/share/gocode, GO111MODULE=off) by
// peers.py.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
)

// sdkVersion is set at build time (-ldflags -X main.sdkVersion=...) from Debian's package version.
var sdkVersion = "?"

type result struct {
	Client  string    `json:"client"`
	Runs    int       `json:"runs,omitempty"`
	TimesMs []float64 `json:"times_ms,omitempty"`
	Source  string    `json:"method,omitempty"`
	Error   string    `json:"error,omitempty"`
}

func fail(err error) {
	out, _ := json.Marshal(result{Client: "aws-sdk-go-v2 " + sdkVersion, Error: err.Error()})
	fmt.Println(string(out))
	os.Exit(1)
}

func main() {
	if len(os.Args) != 2 {
		fail(fmt.Errorf("usage: go_peer RUNS"))
	}
	runs, err := strconv.Atoi(os.Args[1])
	if err != nil || runs < 1 {
		fail(fmt.Errorf("RUNS must be a positive integer"))
	}
	ctx := context.Background()
	times := make([]float64, 0, runs)
	source := ""
	for i := 0; i < runs; i++ {
		cfg, err := config.LoadDefaultConfig(ctx)
		if err != nil {
			fail(err)
		}
		start := time.Now()
		var creds aws.Credentials
		creds, err = cfg.Credentials.Retrieve(ctx)
		elapsed := time.Since(start)
		if err != nil {
			fail(err)
		}
		if creds.AccessKeyID == "" {
			fail(fmt.Errorf("no credentials"))
		}
		times = append(times, float64(elapsed.Nanoseconds())/1e6)
		source = creds.Source
	}
	out, _ := json.Marshal(result{Client: "aws-sdk-go-v2 " + sdkVersion, Runs: runs,
		TimesMs: times, Source: source})
	fmt.Println(string(out))
}
