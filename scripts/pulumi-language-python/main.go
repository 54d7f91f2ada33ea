// pulumi-language-python is zis_pulumi's own Python language host for the Pulumi engine.
//
// The official host (module github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3) is not served by
// the Go module proxy our machines reach, so scripts/install-pulumi.sh builds this one instead, inside the same
// wrapper module as the CLI (so it shares the CLI's sdk/v3, grpc and protobuf versions).
//
// It implements what `pulumi preview/up/refresh/destroy/stack export/about/install` and the Automation API need
// for Python programs: Handshake, GetPluginInfo, GetRequiredPlugins/GetRequiredPackages, Run,
// GetProgramDependencies, About, InstallDependencies and Cancel. Run starts
// `<python> -u <dir of this binary>/pulumi-language-python-exec …` (the launcher script shipped in the sdk/v3
// module), with the Python of the project's virtualenv (`runtime.options.virtualenv` in Pulumi.yaml), else
// $PULUMI_PYTHON_CMD, else python3. Everything else answers Unimplemented, among them the code generation
// (GenerateProgram, GenerateProject, GeneratePackage): `pulumi import` works only with --generate-code=false, and
// `pulumi convert`, `pulumi package gen-sdk` and debugging (attach) do not work.
//
// Cancel, and the engine going away, stop a running program as Pulumi's own language hosts do: SIGINT first, so the
// SDK can finish the registrations in flight and report, and SIGKILL only if it is still running after
// gracePeriod.
//
// The engine starts it as `pulumi-language-python [flags] <engine address>` and reads the gRPC port from the first
// line of stdout.
package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/pulumi/pulumi/sdk/v3/python/toolchain"
)

// Exit code with which pulumi-language-python-exec says it has already shown the error to the user.
const exitCodeBail = 32

// gracePeriod is how long a program has to exit after SIGINT before it is killed: the delay Pulumi's own language
// hosts give their program on Cancel (cmd.Cancel sends os.Interrupt, cmd.WaitDelay = 5s, in
// sdk/nodejs/cmd/pulumi-language-nodejs/main.go), and the engine gives a plugin it stops (SIGINT, 5s, SIGKILL:
// sdk/go/common/resource/plugin/plugin.go).
const gracePeriod = 5 * time.Second

// flags holds what the engine (or a user) may pass on the command line. Unknown flags are ignored.
type flags struct {
	tracing     string
	root        string
	virtualenv  string
	toolchain   string
	typechecker string
	executor    string // -use-executor: the pulumi-language-python-exec script to run
	verbose     int
	engine      string // last positional argument
}

// Flags that take a value; `-name value` consumes the next argument for these only.
var valueFlags = map[string]bool{
	"tracing": true, "root": true, "virtualenv": true, "toolchain": true, "typechecker": true,
	"use-executor": true, "v": true, "verbose": true, "log_dir": true, "log-dir": true,
}

// parseFlags parses Go-style flags (`-x`, `--x`, `-x=v`, `-x v`) leniently: unknown flags are skipped (their
// value too when written `-x=v`), and the engine address is the last positional argument.
func parseFlags(args []string) flags {
	var f flags
	var positional []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			positional = append(positional, args[i+1:]...)
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			positional = append(positional, a)
			continue
		}
		name := strings.TrimLeft(a, "-")
		value, hasValue := "", false
		if k, v, ok := strings.Cut(name, "="); ok {
			name, value, hasValue = k, v, true
		}
		if !hasValue && valueFlags[name] && i+1 < len(args) {
			i++
			value = args[i]
		}
		switch name {
		case "tracing":
			f.tracing = value
		case "root":
			f.root = value
		case "virtualenv":
			f.virtualenv = value
		case "toolchain":
			f.toolchain = value
		case "typechecker":
			f.typechecker = value
		case "use-executor":
			f.executor = value
		case "v", "verbose":
			f.verbose, _ = strconv.Atoi(value)
		}
	}
	if len(positional) > 0 {
		f.engine = positional[len(positional)-1]
	}
	return f
}

func main() {
	f := parseFlags(os.Args[1:])

	if f.executor == "" {
		self, err := os.Executable()
		if err != nil {
			self = os.Args[0]
		}
		if resolved, err := filepath.EvalSymlinks(self); err == nil {
			self = resolved
		}
		f.executor = filepath.Join(filepath.Dir(self), "pulumi-language-python-exec")
	}
	if _, err := os.Stat(f.executor); err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-python: cannot find the launcher script %s: %v\n", f.executor, err)
		os.Exit(1)
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	host := &languageHost{flags: f, running: map[*program]struct{}{}}

	stop := make(chan bool)
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel:  stop,
		Options: []grpc.ServerOption{grpc.ChainUnaryInterceptor(host.logCalls)},
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, host)
			return nil
		},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-python: could not start the gRPC server: %v\n", err)
		os.Exit(1)
	}

	// Shut down (and take the program with us) once the engine stops answering health checks.
	if f.engine != "" {
		if err := rpcutil.Healthcheck(ctx, f.engine, 5*time.Minute, cancel); err != nil {
			fmt.Fprintf(os.Stderr, "pulumi-language-python: could not watch the engine at %s: %v\n", f.engine, err)
			os.Exit(1)
		}
		go func() {
			<-ctx.Done()
			host.stopAll() // waits for the programs to exit (at most gracePeriod) before the server stops
			close(stop)
		}()
	}

	// The engine reads the port from the first line of stdout.
	fmt.Printf("%d\n", handle.Port)

	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-python: %v\n", err)
		os.Exit(1)
	}
}

// languageHost implements pulumirpc.LanguageRuntimeServer.
type languageHost struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	flags flags

	mu         sync.Mutex
	engineAddr string // from Handshake, else the command line
	rootDir    string // from Handshake
	programDir string // from Handshake
	running    map[*program]struct{}
}

// program is a Python program started by Run, until it exits.
type program struct {
	cmd      *exec.Cmd
	exited   chan struct{} // closed once cmd.Wait has returned
	stopOnce sync.Once
}

// stop sends the program SIGINT, and SIGKILL if it has not exited after gracePeriod. It returns once the program
// has exited or been killed; calls after the first return at once (one SIGINT only: a second one would interrupt the
// SDK's own clean-up).
func (p *program) stop() {
	p.stopOnce.Do(func() {
		if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
			_ = p.cmd.Process.Kill() // already gone, or cannot be interrupted: nothing to wait for
			return
		}
		timer := time.NewTimer(gracePeriod)
		defer timer.Stop()
		select {
		case <-p.exited:
		case <-timer.C:
			_ = p.cmd.Process.Kill()
		}
	})
}

func (h *languageHost) debugf(format string, args ...any) {
	if h.flags.verbose >= 9 || os.Getenv("PULUMI_LANGUAGE_PYTHON_DEBUG") != "" {
		fmt.Fprintf(os.Stderr, "pulumi-language-python: "+format+"\n", args...)
	}
}

// logCalls logs every unary call and its duration when debugging is on.
func (h *languageHost) logCalls(
	ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler,
) (any, error) {
	start := time.Now()
	resp, err := handler(ctx, req)
	h.debugf("%s took %v (err: %v)", info.FullMethod, time.Since(start).Round(time.Millisecond), err)
	return resp, err
}

func (h *languageHost) Handshake(
	_ context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.engineAddr = req.GetEngineAddress()
	h.rootDir = req.GetRootDirectory()
	h.programDir = req.GetProgramDirectory()
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *languageHost) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	v := strings.TrimPrefix(version.Version, "v")
	if v == "" {
		v = "0.0.0-dev"
	}
	return &pulumirpc.PluginInfo{Version: v}, nil
}

// options are the Python runtime options of a program, as in Pulumi.yaml's `runtime.options`.
type options struct {
	root        string
	programDir  string
	virtualenv  string
	toolchain   string
	typechecker string
}

// resolveOptions merges, in order of precedence, the ProgramInfo options sent by the engine, the command line
// flags and the PULUMI_RUNTIME_* environment.
func (h *languageHost) resolveOptions(info *pulumirpc.ProgramInfo, pwd string) options {
	h.mu.Lock()
	o := options{root: h.rootDir, programDir: h.programDir}
	h.mu.Unlock()

	if info != nil {
		if info.GetRootDirectory() != "" {
			o.root = info.GetRootDirectory()
		}
		if info.GetProgramDirectory() != "" {
			o.programDir = info.GetProgramDirectory()
		}
	}
	if o.root == "" {
		o.root = h.flags.root
	}
	if o.programDir == "" {
		o.programDir = pwd
	}
	if o.programDir == "" {
		o.programDir, _ = os.Getwd()
	}
	if o.root == "" {
		o.root = o.programDir
	}

	var opts map[string]any
	if info != nil && info.GetOptions() != nil {
		opts = info.GetOptions().AsMap()
	}
	pick := func(key, flag string) string {
		if v, ok := opts[key].(string); ok && v != "" {
			return v
		}
		if flag != "" {
			return flag
		}
		return os.Getenv("PULUMI_RUNTIME_" + strings.ToUpper(key))
	}
	o.virtualenv = pick("virtualenv", h.flags.virtualenv)
	o.toolchain = pick("toolchain", h.flags.toolchain)
	o.typechecker = pick("typechecker", h.flags.typechecker)
	return o
}

func (o options) resolveToolchain() (toolchain.Toolchain, error) {
	po := toolchain.PythonOptions{Root: o.root, ProgramDir: o.programDir, Virtualenv: o.virtualenv}
	switch strings.ToLower(o.toolchain) {
	case "", "auto":
		po.Toolchain = toolchain.Auto
	case "pip":
		po.Toolchain = toolchain.Pip
	case "poetry":
		po.Toolchain = toolchain.Poetry
	case "uv":
		po.Toolchain = toolchain.Uv
	default:
		return nil, fmt.Errorf("unsupported Python toolchain %q (expected pip, poetry or uv)", o.toolchain)
	}
	switch strings.ToLower(o.typechecker) {
	case "":
		po.Typechecker = toolchain.TypeCheckerNone
	case "mypy":
		po.Typechecker = toolchain.TypeCheckerMypy
	case "pyright":
		po.Typechecker = toolchain.TypeCheckerPyright
	default:
		return nil, fmt.Errorf("unsupported Python typechecker %q (expected mypy or pyright)", o.typechecker)
	}
	return toolchain.ResolveToolchain(po)
}

// track registers a started program; the function it returns, called once cmd.Wait has returned, removes it.
func (h *languageHost) track(cmd *exec.Cmd) func() {
	p := &program{cmd: cmd, exited: make(chan struct{})}
	h.mu.Lock()
	h.running[p] = struct{}{}
	h.mu.Unlock()
	return func() {
		close(p.exited)
		h.mu.Lock()
		delete(h.running, p)
		h.mu.Unlock()
	}
}

// stopAll stops every running program (see program.stop) and returns once they have all exited or been killed.
func (h *languageHost) stopAll() {
	h.mu.Lock()
	programs := make([]*program, 0, len(h.running))
	for p := range h.running {
		programs = append(programs, p)
	}
	h.mu.Unlock()
	var wg sync.WaitGroup
	for _, p := range programs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.stop()
		}()
	}
	wg.Wait()
}

// Cancel asks the running programs to stop and returns at once, as Pulumi's hosts do; each program gets its SIGINT
// now and, if it is still running gracePeriod later, its SIGKILL. Run then reports how the program ended.
func (h *languageHost) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	h.debugf("Cancel: interrupting %d running program(s)", h.runningCount())
	go h.stopAll()
	return &emptypb.Empty{}, nil
}

func (h *languageHost) runningCount() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.running)
}

func (h *languageHost) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	if req.GetAttachDebugger() {
		return nil, status.Error(codes.Unimplemented, "this Python language host cannot attach a debugger")
	}
	o := h.resolveOptions(req.GetInfo(), req.GetPwd())
	tc, err := o.resolveToolchain()
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	if err := tc.ValidateVenv(ctx); err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}

	if o.typechecker != "" {
		if resp := h.typecheck(ctx, tc, o); resp != nil {
			return resp, nil
		}
	}

	program := req.GetProgram()
	if info := req.GetInfo(); info != nil && info.GetEntryPoint() != "" {
		program = filepath.Join(o.programDir, info.GetEntryPoint())
	} else if program == "" {
		program = "."
	}

	h.mu.Lock()
	engine := h.engineAddr
	h.mu.Unlock()
	if engine == "" {
		engine = h.flags.engine
	}

	args := []string{"-u", h.flags.executor}
	add := func(k, v string) {
		if v != "" {
			args = append(args, "--"+k, v)
		}
	}
	add("monitor", req.GetMonitorAddress())
	add("engine", engine)
	add("project", req.GetProject())
	add("root_directory", o.root)
	add("stack", req.GetStack())
	add("pwd", req.GetPwd())
	add("dry_run", strconv.FormatBool(req.GetDryRun()))
	add("parallel", strconv.Itoa(int(req.GetParallel())))
	add("tracing", h.flags.tracing)
	add("organization", req.GetOrganization())
	args = append(args, program)
	args = append(args, req.GetArgs()...)

	// Use a context of our own: the end of the engine's request does not stop the program, Cancel does. (Pulumi's
	// Node.js host also interrupts the program when the Run request's context ends; see README "The Pulumi CLI".)
	cmd, err := tc.Command(context.Background(), args...)
	if err != nil {
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("could not find Python: %v", err)}, nil
	}
	env := cmd.Env
	if env == nil {
		env = os.Environ()
	}
	config, err := json.Marshal(nonNilMap(req.GetConfig()))
	if err != nil {
		return nil, fmt.Errorf("serializing the configuration: %w", err)
	}
	secretKeys, err := json.Marshal(nonNilSlice(req.GetConfigSecretKeys()))
	if err != nil {
		return nil, fmt.Errorf("serializing the secret configuration keys: %w", err)
	}
	env = append(env, "PULUMI_CONFIG="+string(config), "PULUMI_CONFIG_SECRET_KEYS="+string(secretKeys))
	if req.GetLoaderTarget() != "" {
		env = append(env, "PULUMI_LOADER_TARGET="+req.GetLoaderTarget())
	}
	cmd.Env = env
	cmd.Dir = req.GetPwd()
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	// The program stays in our process group: the engine stops plugins by signalling their group, which then
	// reaches the program too.
	h.debugf("running %s %s in %s", cmd.Path, strings.Join(cmd.Args[1:], " "), cmd.Dir)

	if err := cmd.Start(); err != nil {
		return &pulumirpc.RunResponse{
			Error: fmt.Sprintf("could not start the Python program with %s: %v", cmd.Path, err),
		}, nil
	}
	untrack := h.track(cmd)
	err = cmd.Wait()
	untrack()

	if err == nil {
		return &pulumirpc.RunResponse{}, nil
	}
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		if ws, ok := exitErr.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return &pulumirpc.RunResponse{Error: fmt.Sprintf("Program was terminated by signal %v", ws.Signal())}, nil
		}
		if exitErr.ExitCode() == exitCodeBail {
			return &pulumirpc.RunResponse{Bail: true}, nil
		}
		return &pulumirpc.RunResponse{
			Error: fmt.Sprintf("Program exited with non-zero exit code: %d", exitErr.ExitCode()),
		}, nil
	}
	return &pulumirpc.RunResponse{Error: fmt.Sprintf("Problem running the Python program: %v", err)}, nil
}

// typecheck runs mypy or pyright over the program directory; it returns a response only when the check failed.
func (h *languageHost) typecheck(ctx context.Context, tc toolchain.Toolchain, o options) *pulumirpc.RunResponse {
	var module string
	switch strings.ToLower(o.typechecker) {
	case "mypy":
		module = "mypy"
	case "pyright":
		module = "pyright"
	default:
		return nil
	}
	cmd, err := tc.ModuleCommand(ctx, module, o.programDir)
	if err != nil {
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("could not run %s: %v", module, err)}
	}
	cmd.Dir = o.programDir
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("%s type checking failed: %v", module, err)}
	}
	return nil
}

func nonNilMap(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

func nonNilSlice(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// pluginScript lists the installed distributions that ship a pulumi-plugin.json declaring a resource plugin
// (the Pulumi convention for provider SDKs), as JSON.
const pluginScript = `
import json, sys
from importlib import metadata
out, seen = [], set()
for dist in metadata.distributions():
    name = (dist.metadata["Name"] or "").lower().replace("_", "-")
    if name in ("pulumi", "") or name in seen:
        continue
    seen.add(name)
    for f in dist.files or ():
        parts = f.parts
        if len(parts) != 2 or parts[1] != "pulumi-plugin.json":
            continue
        try:
            data = json.loads(f.read_text() or "{}")
        except Exception:
            continue
        if not data.get("resource"):
            continue
        out.append({
            "name": data.get("name") or parts[0].removeprefix("pulumi_").replace("_", "-"),
            "version": data.get("version") or dist.version,
            "server": data.get("server") or "",
            "parameterization": data.get("parameterization"),
        })
json.dump(out, sys.stdout)
`

type pluginJSON struct {
	Name             string `json:"name"`
	Version          string `json:"version"`
	Server           string `json:"server"`
	Parameterization *struct {
		Name    string `json:"name"`
		Version string `json:"version"`
		Value   string `json:"value"` // base64
	} `json:"parameterization"`
}

// requiredPackages finds the resource plugins of the provider SDKs installed for the program. Dynamic providers
// need none, so any failure just yields an empty list.
func (h *languageHost) requiredPackages(ctx context.Context, info *pulumirpc.ProgramInfo) []*pulumirpc.PackageDependency {
	o := h.resolveOptions(info, "")
	tc, err := o.resolveToolchain()
	if err != nil {
		h.debugf("GetRequiredPackages: %v", err)
		return nil
	}
	if err := tc.ValidateVenv(ctx); err != nil {
		h.debugf("GetRequiredPackages: %v", err)
		return nil
	}
	cmd, err := tc.Command(ctx, "-c", pluginScript)
	if err != nil {
		h.debugf("GetRequiredPackages: %v", err)
		return nil
	}
	cmd.Dir = o.programDir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		h.debugf("GetRequiredPackages: %v: %s", err, stderr.String())
		return nil
	}
	var plugins []pluginJSON
	if err := json.Unmarshal(out, &plugins); err != nil {
		h.debugf("GetRequiredPackages: %v", err)
		return nil
	}
	var deps []*pulumirpc.PackageDependency
	for _, p := range plugins {
		v := p.Version
		if v != "" && !strings.HasPrefix(v, "v") {
			v = "v" + v
		}
		dep := &pulumirpc.PackageDependency{Name: p.Name, Kind: "resource", Version: v, Server: p.Server}
		if p.Parameterization != nil {
			value, err := base64.StdEncoding.DecodeString(p.Parameterization.Value)
			if err != nil {
				h.debugf("GetRequiredPackages: bad parameterization value for %s: %v", p.Name, err)
				continue
			}
			dep.Parameterization = &pulumirpc.PackageParameterization{
				Name: p.Parameterization.Name, Version: p.Parameterization.Version, Value: value,
			}
		}
		deps = append(deps, dep)
	}
	sort.Slice(deps, func(i, j int) bool { return deps[i].Name < deps[j].Name })
	return deps
}

func (h *languageHost) GetRequiredPackages(
	ctx context.Context, req *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	return &pulumirpc.GetRequiredPackagesResponse{Packages: h.requiredPackages(ctx, req.GetInfo())}, nil
}

func (h *languageHost) GetRequiredPlugins(
	ctx context.Context, req *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	var plugins []*pulumirpc.PluginDependency
	for _, p := range h.requiredPackages(ctx, req.GetInfo()) {
		if p.Parameterization != nil {
			continue // only expressible as a package
		}
		plugins = append(plugins, &pulumirpc.PluginDependency{
			Name: p.Name, Kind: p.Kind, Version: p.Version, Server: p.Server,
		})
	}
	return &pulumirpc.GetRequiredPluginsResponse{Plugins: plugins}, nil
}

func (h *languageHost) GetProgramDependencies(
	ctx context.Context, req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	resp := &pulumirpc.GetProgramDependenciesResponse{}
	o := h.resolveOptions(req.GetInfo(), req.GetPwd())
	tc, err := o.resolveToolchain()
	if err != nil {
		h.debugf("GetProgramDependencies: %v", err)
		return resp, nil
	}
	pkgs, err := tc.ListPackages(ctx, req.GetTransitiveDependencies())
	if err != nil {
		h.debugf("GetProgramDependencies: %v", err)
		return resp, nil
	}
	for _, p := range pkgs {
		resp.Dependencies = append(resp.Dependencies, &pulumirpc.DependencyInfo{Name: p.Name, Version: p.Version})
	}
	return resp, nil
}

func (h *languageHost) About(ctx context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	o := h.resolveOptions(req.GetInfo(), "")
	resp := &pulumirpc.AboutResponse{Metadata: map[string]string{"host": "zis_pulumi pulumi-language-python"}}
	tc, err := o.resolveToolchain()
	if err != nil {
		resp.Metadata["error"] = err.Error()
		return resp, nil
	}
	if venv, err := tc.VirtualEnvPath(ctx); err == nil && venv != "" {
		resp.Metadata["virtualenv"] = venv
	}
	about, err := tc.About(ctx)
	if err != nil {
		resp.Metadata["error"] = err.Error()
		return resp, nil
	}
	resp.Executable = about.PythonExecutable
	if about.PythonVersion.Major > 0 {
		resp.Version = about.PythonVersion.String()
	}
	if about.ToolchainVersion.Major > 0 {
		resp.Metadata["toolchainVersion"] = about.ToolchainVersion.String()
	}
	return resp, nil
}

// streamWriter sends what is written to it as InstallDependencies responses.
type streamWriter struct {
	mu     *sync.Mutex
	stream grpc.ServerStreamingServer[pulumirpc.InstallDependenciesResponse]
	stderr bool
}

func (w streamWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	data := append([]byte(nil), p...)
	resp := &pulumirpc.InstallDependenciesResponse{Stdout: data}
	if w.stderr {
		resp = &pulumirpc.InstallDependenciesResponse{Stderr: data}
	}
	if err := w.stream.Send(resp); err != nil {
		return 0, err
	}
	return len(p), nil
}

// InstallDependencies creates the virtualenv named in Pulumi.yaml when it does not exist yet and installs
// requirements.txt (when there is one) into it. Toolchains other than pip are handed to the sdk's toolchain code.
func (h *languageHost) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest,
	stream grpc.ServerStreamingServer[pulumirpc.InstallDependenciesResponse],
) error {
	ctx := stream.Context()
	var mu sync.Mutex
	stdout := streamWriter{mu: &mu, stream: stream}
	stderr := streamWriter{mu: &mu, stream: stream, stderr: true}

	o := h.resolveOptions(req.GetInfo(), req.GetDirectory())
	tc, err := o.resolveToolchain()
	if err != nil {
		return err
	}
	if strings.ToLower(o.toolchain) == "poetry" || strings.ToLower(o.toolchain) == "uv" {
		return tc.InstallDependencies(ctx, o.programDir, req.GetUseLanguageVersionTools(), true, stdout, stderr)
	}

	venv, _ := tc.VirtualEnvPath(ctx)
	if venv != "" && !toolchain.IsVirtualEnv(venv) {
		fmt.Fprintf(stdout, "Creating virtual environment %s...\n", venv)
		cmd, err := toolchain.Command(ctx, "-m", "venv", venv)
		if err != nil {
			return err
		}
		cmd.Stdout, cmd.Stderr = stdout, stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("creating virtual environment at %s: %w", venv, err)
		}
	}

	requirements := ""
	for _, dir := range []string{o.programDir, o.root} {
		if _, err := os.Stat(filepath.Join(dir, "requirements.txt")); err == nil {
			requirements = filepath.Join(dir, "requirements.txt")
			break
		}
	}
	if requirements == "" {
		return nil
	}
	fmt.Fprintf(stdout, "Installing %s...\n", requirements)
	cmd, err := tc.ModuleCommand(ctx, "pip", "install", "-r", requirements)
	if err != nil {
		return err
	}
	cmd.Dir = filepath.Dir(requirements)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("installing %s: %w", requirements, err)
	}
	return nil
}

var _ io.Writer = streamWriter{}
