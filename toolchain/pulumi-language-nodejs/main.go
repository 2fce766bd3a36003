// Command pulumi-language-nodejs is a small, self-written Node.js language
// host for the Pulumi engine, used only because the upstream module
// (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3) is not
// served by the Go module proxy this project can reach.
//
// It implements the parts of pulumirpc.LanguageRuntime that `pulumi preview`,
// `pulumi up`, `pulumi destroy`, `pulumi refresh`, `pulumi about` and
// `pulumi install` use for a Node.js (TypeScript or JavaScript) program:
//
//   - GetRequiredPackages / GetRequiredPlugins: scan node_modules for packages
//     whose package.json has {"pulumi": {"resource": true, ...}}.
//   - Run: start `node [nodeargs] <@pulumi/pulumi/cmd/run> --monitor ... <program>`
//     with PULUMI_CONFIG / PULUMI_CONFIG_SECRET_KEYS in the environment, which
//     is the interface of the run script shipped in the @pulumi/pulumi package.
//   - RunPlugin for policy packs (kind "analyzer"): start
//     `node <@pulumi/pulumi/cmd/run-policy-pack> <engine> <pack dir>` in the pack's
//     directory and stream its output back, which is how the CLI runs
//     `--policy-pack <dir>` when a nodejs language host is present.
//   - GetPluginInfo, Handshake, About, GetProgramDependencies,
//     InstallDependencies (npm install), Cancel.
//
// Code generation (GenerateProgram/Project/Package, Pack, Link), templates and
// resource/tool plugins written in Node.js are not implemented.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// exitCodeUserActionable is the exit code the @pulumi/pulumi run script uses
// when it has already printed an actionable error message.
const exitCodeUserActionable = 32

func main() {
	fs := flag.NewFlagSet(os.Args[0], flag.ContinueOnError)
	tracing := fs.String("tracing", "", "tracing endpoint (passed through to the run script)")
	typescript := fs.Bool("typescript", true, "default for the `typescript` runtime option")
	_ = fs.String("root", "", "project root (ignored; taken from each request)")
	_ = fs.String("binary", "", "ignored")
	_ = fs.String("nodeargs", "", "ignored; use the `nodeargs` runtime option")
	_ = fs.String("packagemanager", "", "ignored")
	if err := fs.Parse(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	engineAddress := ""
	if fs.NArg() > 0 {
		engineAddress = fs.Arg(0)
	}

	host := &nodeHost{engineAddress: engineAddress, tracing: *tracing, typescript: *typescript}
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, host)
			return nil
		},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "could not start language host RPC server: %v\n", err)
		os.Exit(1)
	}
	// The engine reads the port from our first line of stdout.
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "language host RPC stopped serving: %v\n", err)
		os.Exit(1)
	}
}

type nodeHost struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	engineAddress string
	tracing       string
	typescript    bool

	mu      sync.Mutex
	running map[*exec.Cmd]struct{}
}

// ---------------------------------------------------------------------------
// Plugin discovery

type packageJSON struct {
	Name         string                   `json:"name"`
	Version      string                   `json:"version"`
	Main         string                   `json:"main"`
	Dependencies map[string]string        `json:"dependencies"`
	DevDeps      map[string]string        `json:"devDependencies"`
	Pulumi       *plugin.PulumiPluginJSON `json:"pulumi"`
}

func readPackageJSON(path string) (*packageJSON, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var p packageJSON
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("parsing %s: %w", path, err)
	}
	return &p, nil
}

// nodeModulesDirs returns every node_modules directory from dir up to the
// filesystem root (Node's own resolution order).
func nodeModulesDirs(dir string) []string {
	var out []string
	dir, _ = filepath.Abs(dir)
	for {
		nm := filepath.Join(dir, "node_modules")
		if st, err := os.Stat(nm); err == nil && st.IsDir() {
			out = append(out, nm)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return out
		}
		dir = parent
	}
}

// packageDirs lists the package directories inside one node_modules dir,
// including @scope/name packages and packages nested in their own
// node_modules (recursively).
func packageDirs(nodeModules string, seen map[string]bool, out *[]string) {
	entries, err := os.ReadDir(nodeModules)
	if err != nil {
		return
	}
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") {
			continue
		}
		p := filepath.Join(nodeModules, name)
		if strings.HasPrefix(name, "@") {
			scoped, err := os.ReadDir(p)
			if err != nil {
				continue
			}
			for _, s := range scoped {
				addPackageDir(filepath.Join(p, s.Name()), seen, out)
			}
			continue
		}
		addPackageDir(p, seen, out)
	}
}

func addPackageDir(p string, seen map[string]bool, out *[]string) {
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		return
	}
	if st, err := os.Stat(real); err != nil || !st.IsDir() || seen[real] {
		return
	}
	seen[real] = true
	*out = append(*out, real)
	packageDirs(filepath.Join(real, "node_modules"), seen, out)
}

func pluginName(p *packageJSON) string {
	if p.Pulumi.Name != "" {
		return p.Pulumi.Name
	}
	switch {
	case strings.HasPrefix(p.Name, "@pulumi/"):
		return strings.TrimPrefix(p.Name, "@pulumi/")
	case strings.HasPrefix(p.Name, "@"):
		return strings.TrimPrefix(p.Name, "@")
	}
	return p.Name
}

func vprefix(v string) string {
	if v != "" && !strings.HasPrefix(v, "v") {
		return "v" + v
	}
	return v
}

func programDir(info *pulumirpc.ProgramInfo, fallback string) string {
	if info != nil && info.GetProgramDirectory() != "" {
		return info.GetProgramDirectory()
	}
	if fallback != "" {
		return fallback
	}
	wd, _ := os.Getwd()
	return wd
}

func findPackages(dir string) ([]*pulumirpc.PackageDependency, error) {
	seen := map[string]bool{}
	var dirs []string
	for _, nm := range nodeModulesDirs(dir) {
		packageDirs(nm, seen, &dirs)
	}
	type key struct{ name, version, param string }
	dedup := map[key]bool{}
	var deps []*pulumirpc.PackageDependency
	for _, d := range dirs {
		p, err := readPackageJSON(filepath.Join(d, "package.json"))
		if err != nil || p.Pulumi == nil || !p.Pulumi.Resource {
			continue
		}
		v := p.Pulumi.Version
		if v == "" {
			v = p.Version
		}
		dep := &pulumirpc.PackageDependency{
			Name:    pluginName(p),
			Kind:    "resource",
			Version: vprefix(v),
			Server:  p.Pulumi.Server,
		}
		k := key{dep.Name, dep.Version, ""}
		if pp := p.Pulumi.Parameterization; pp != nil {
			dep.Parameterization = &pulumirpc.PackageParameterization{
				Name: pp.Name, Version: pp.Version, Value: pp.Value,
			}
			k.param = pp.Name + "@" + pp.Version
		}
		if pp := p.Pulumi.ExtensionParameterization; pp != nil {
			dep.Extension = &pulumirpc.PackageParameterization{
				Name: pp.Name, Version: pp.Version, Value: pp.Value,
			}
			k.param += "+" + pp.Name + "@" + pp.Version
		}
		if dedup[k] {
			continue
		}
		dedup[k] = true
		deps = append(deps, dep)
	}
	sort.Slice(deps, func(i, j int) bool {
		if deps[i].Name != deps[j].Name {
			return deps[i].Name < deps[j].Name
		}
		return deps[i].Version < deps[j].Version
	})
	return deps, nil
}

func (h *nodeHost) GetRequiredPackages(ctx context.Context,
	req *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	deps, err := findPackages(programDir(req.GetInfo(), ""))
	if err != nil {
		return nil, err
	}
	return &pulumirpc.GetRequiredPackagesResponse{Packages: deps}, nil
}

func (h *nodeHost) GetRequiredPlugins(ctx context.Context,
	req *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	deps, err := findPackages(programDir(req.GetInfo(), req.GetPwd()))
	if err != nil {
		return nil, err
	}
	var plugins []*pulumirpc.PluginDependency
	for _, d := range deps {
		if d.Parameterization != nil {
			continue
		}
		plugins = append(plugins, &pulumirpc.PluginDependency{
			Name: d.Name, Kind: d.Kind, Version: d.Version, Server: d.Server,
		})
	}
	return &pulumirpc.GetRequiredPluginsResponse{Plugins: plugins}, nil
}

// ---------------------------------------------------------------------------
// Running the program

func optionString(info *pulumirpc.ProgramInfo, name string) (string, bool) {
	if info == nil || info.GetOptions() == nil {
		return "", false
	}
	v, ok := info.GetOptions().GetFields()[name]
	if !ok {
		return "", false
	}
	return v.GetStringValue(), true
}

func optionBool(info *pulumirpc.ProgramInfo, name string, def bool) bool {
	if info == nil || info.GetOptions() == nil {
		return def
	}
	v, ok := info.GetOptions().GetFields()[name]
	if !ok {
		return def
	}
	if s := v.GetStringValue(); s != "" {
		return s == "true"
	}
	return v.GetBoolValue()
}

// locateRunScript finds @pulumi/pulumi/cmd/run the way Node would from dir.
func locateRunScript(node, dir string) (string, error) {
	if p := os.Getenv("PULUMI_LANGUAGE_NODEJS_RUN_PATH"); p != "" {
		return p, nil
	}
	return locateCmd(node, dir, "run")
}

// locateCmd finds @pulumi/pulumi/cmd/<name> the way Node would from dir.
func locateCmd(node, dir, name string) (string, error) {
	for _, nm := range nodeModulesDirs(dir) {
		p := filepath.Join(nm, "@pulumi", "pulumi", "cmd", name)
		if _, err := os.Stat(filepath.Join(p, "index.js")); err == nil {
			return p, nil
		}
	}
	cmd := exec.Command(node, "-e", fmt.Sprintf("console.log(require.resolve('@pulumi/pulumi/cmd/%s'))", name))
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("it looks like the Pulumi SDK has not been installed "+
			"(no node_modules/@pulumi/pulumi/cmd/%s from %s); have you run npm install?", name, dir)
	}
	return strings.TrimSpace(string(out)), nil
}

func (h *nodeHost) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("could not find node on the $PATH: %w", err)
	}
	pwd := req.GetPwd()
	if pwd == "" {
		pwd = programDir(req.GetInfo(), "")
	}
	runPath, err := locateRunScript(node, pwd)
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}

	var args []string
	if nodeargs, ok := optionString(req.GetInfo(), "nodeargs"); ok && nodeargs != "" {
		args = append(args, strings.Fields(nodeargs)...)
	}
	args = append(args, runPath)
	add := func(k, v string) {
		if v != "" {
			args = append(args, "--"+k, v)
		}
	}
	add("monitor", req.GetMonitorAddress())
	add("engine", h.engineAddress)
	add("organization", req.GetOrganization())
	add("project", req.GetProject())
	add("stack", req.GetStack())
	add("pwd", pwd)
	if req.GetInfo() != nil {
		add("root-directory", req.GetInfo().GetRootDirectory())
	}
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	if req.GetParallel() != 0 {
		add("parallel", fmt.Sprint(req.GetParallel()))
	}
	add("tracing", h.tracing)
	program := req.GetProgram()
	if program == "" {
		program = "."
	}
	args = append(args, program)
	args = append(args, req.GetArgs()...)

	config := req.GetConfig()
	if config == nil {
		config = map[string]string{}
	}
	configJSON, err := json.Marshal(config)
	if err != nil {
		return nil, err
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	secretJSON, err := json.Marshal(secretKeys)
	if err != nil {
		return nil, err
	}

	env := os.Environ()
	env = append(env,
		"PULUMI_CONFIG="+string(configJSON),
		"PULUMI_CONFIG_SECRET_KEYS="+string(secretJSON),
		fmt.Sprintf("PULUMI_NODEJS_TYPESCRIPT=%t", optionBool(req.GetInfo(), "typescript", h.typescript)),
	)
	if ts, ok := optionString(req.GetInfo(), "tsconfig"); ok && ts != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+ts)
	}

	cmd := exec.Command(node, args...)
	cmd.Dir = pwd
	cmd.Env = env
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return &pulumirpc.RunResponse{
			Error: fmt.Sprintf("problem executing program (could not run node): %v", err),
		}, nil
	}
	h.track(cmd, true)
	err = cmd.Wait()
	h.track(cmd, false)
	if err == nil {
		return &pulumirpc.RunResponse{}, nil
	}
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		if ws, ok := exitErr.Sys().(syscall.WaitStatus); ok {
			if ws.Signaled() {
				return &pulumirpc.RunResponse{
					Error: fmt.Sprintf("Program exited with signal: %v", ws.Signal()),
				}, nil
			}
			if ws.ExitStatus() == exitCodeUserActionable {
				return &pulumirpc.RunResponse{Bail: true}, nil
			}
			return &pulumirpc.RunResponse{
				Error: fmt.Sprintf("Program exited with non-zero exit code: %d", ws.ExitStatus()),
			}, nil
		}
	}
	return &pulumirpc.RunResponse{Error: fmt.Sprintf("Program exited unexpectedly: %v", err)}, nil
}

// RunPlugin runs a Node.js policy pack (kind "analyzer"). The CLI passes the
// engine address as the only argument and the pack's directory as the program
// directory; @pulumi/pulumi/cmd/run-policy-pack takes `<engine> <program>`,
// registers ts-node for TypeScript packs, and the pack's PolicyPack prints the
// analyzer's port on stdout, which the CLI reads from the streamed output.
func (h *nodeHost) RunPlugin(req *pulumirpc.RunPluginRequest,
	server pulumirpc.LanguageRuntime_RunPluginServer,
) error {
	if kind := req.GetKind(); kind != "analyzer" {
		return fmt.Errorf("this language host runs Node.js policy packs only, not %q plugins", kind)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		return fmt.Errorf("could not find node on the $PATH: %w", err)
	}
	dir := programDir(req.GetInfo(), req.GetPwd())
	runPath, err := locateCmd(node, dir, "run-policy-pack")
	if err != nil {
		return err
	}
	var args []string
	if nodeargs, ok := optionString(req.GetInfo(), "nodeargs"); ok && nodeargs != "" {
		args = append(args, strings.Fields(nodeargs)...)
	}
	args = append(args, runPath)
	args = append(args, req.GetArgs()...)
	args = append(args, dir)

	cmd := exec.CommandContext(server.Context(), node, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), req.GetEnv()...)
	drain, err := startStreaming(cmd, func(chunk []byte, isErr bool) {
		resp := &pulumirpc.RunPluginResponse{}
		if isErr {
			resp.Output = &pulumirpc.RunPluginResponse_Stderr{Stderr: chunk}
		} else {
			resp.Output = &pulumirpc.RunPluginResponse_Stdout{Stdout: chunk}
		}
		_ = server.Send(resp)
	})
	if err != nil {
		return fmt.Errorf("starting the policy pack in %s: %w", dir, err)
	}
	h.track(cmd, true)
	defer h.track(cmd, false)
	drain()
	code := int32(0)
	if err := cmd.Wait(); err != nil {
		var exitErr *exec.ExitError
		if !errors.As(err, &exitErr) {
			return err
		}
		code = int32(exitErr.ExitCode())
	}
	return server.Send(&pulumirpc.RunPluginResponse{
		Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: code},
	})
}

func (h *nodeHost) track(cmd *exec.Cmd, add bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.running == nil {
		h.running = map[*exec.Cmd]struct{}{}
	}
	if add {
		h.running[cmd] = struct{}{}
	} else {
		delete(h.running, cmd)
	}
}

func (h *nodeHost) Cancel(ctx context.Context, _ *emptypb.Empty) (*emptypb.Empty, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for cmd := range h.running {
		if cmd.Process != nil {
			_ = cmd.Process.Signal(syscall.SIGINT)
		}
	}
	return &emptypb.Empty{}, nil
}

// ---------------------------------------------------------------------------
// Metadata

func (h *nodeHost) GetPluginInfo(ctx context.Context, _ *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version.Version}, nil
}

func (h *nodeHost) Handshake(ctx context.Context,
	req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	if req.GetEngineAddress() != "" {
		h.engineAddress = req.GetEngineAddress()
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *nodeHost) About(ctx context.Context, req *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	node, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("could not find node on the $PATH: %w", err)
	}
	out, err := exec.Command(node, "--version").Output()
	if err != nil {
		return nil, fmt.Errorf("node --version: %w", err)
	}
	return &pulumirpc.AboutResponse{
		Executable: node,
		Version:    strings.TrimPrefix(strings.TrimSpace(string(out)), "v"),
	}, nil
}

func (h *nodeHost) GetProgramDependencies(ctx context.Context,
	req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	dir := programDir(req.GetInfo(), req.GetPwd())
	pkg, err := readPackageJSON(filepath.Join(dir, "package.json"))
	if err != nil {
		return nil, fmt.Errorf("reading package.json: %w", err)
	}
	names := map[string]bool{}
	for n := range pkg.Dependencies {
		names[n] = true
	}
	for n := range pkg.DevDeps {
		names[n] = true
	}
	nms := nodeModulesDirs(dir)
	var deps []*pulumirpc.DependencyInfo
	for n := range names {
		ver := ""
		for _, nm := range nms {
			if p, err := readPackageJSON(filepath.Join(nm, n, "package.json")); err == nil {
				ver = p.Version
				break
			}
		}
		if ver == "" {
			ver = pkg.Dependencies[n] + pkg.DevDeps[n] // declared range, not installed
		}
		deps = append(deps, &pulumirpc.DependencyInfo{Name: n, Version: ver})
	}
	sort.Slice(deps, func(i, j int) bool { return deps[i].Name < deps[j].Name })
	return &pulumirpc.GetProgramDependenciesResponse{Dependencies: deps}, nil
}

// InstallDependencies runs `npm install` in the program directory (npm only;
// the `packagemanager` option is not honoured).
func (h *nodeHost) InstallDependencies(req *pulumirpc.InstallDependenciesRequest,
	server pulumirpc.LanguageRuntime_InstallDependenciesServer,
) error {
	dir := req.GetDirectory()
	if req.GetInfo() != nil && req.GetInfo().GetProgramDirectory() != "" {
		dir = req.GetInfo().GetProgramDirectory()
	}
	if pm, ok := optionString(req.GetInfo(), "packagemanager"); ok && pm != "" && pm != "npm" {
		return fmt.Errorf("this language host only supports npm, not %q", pm)
	}
	cmd := exec.Command("npm", "install")
	cmd.Dir = dir
	drain, err := startStreaming(cmd, func(chunk []byte, isErr bool) {
		resp := &pulumirpc.InstallDependenciesResponse{}
		if isErr {
			resp.Stderr = chunk
		} else {
			resp.Stdout = chunk
		}
		_ = server.Send(resp)
	})
	if err != nil {
		return fmt.Errorf("starting npm install: %w", err)
	}
	drain()
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("npm install failed: %w", err)
	}
	return nil
}

// startStreaming starts cmd and copies its stdout and stderr, chunk by chunk and one chunk at a
// time, to send. The returned drain blocks until both streams are closed; call cmd.Wait after it.
func startStreaming(cmd *exec.Cmd, send func(chunk []byte, isErr bool)) (drain func(), err error) {
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	pump := func(r io.Reader, isErr bool) {
		defer wg.Done()
		buf := make([]byte, 32*1024)
		for {
			n, rerr := r.Read(buf)
			if n > 0 {
				chunk := append([]byte(nil), buf[:n]...)
				mu.Lock()
				send(chunk, isErr)
				mu.Unlock()
			}
			if rerr != nil {
				return
			}
		}
	}
	wg.Add(2)
	go pump(stdout, false)
	go pump(stderr, true)
	return wg.Wait, nil
}
