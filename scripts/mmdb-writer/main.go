// mmdb-writer writes a MaxMind DB (.mmdb) from a JSON description, so that tests can build the
// small GeoIP databases Envoy's geoip filter (MaxMind provider) reads instead of shipping binary
// fixtures. Built by scripts/setup-mmdb-writer.sh into .tools/mmdb-writer.
//
// Usage: mmdb-writer OUT.mmdb < spec.json, where spec.json is
//
//	{"databaseType": "GeoIP2-Country", "ipVersion": 6,
//	 "records": [{"network": "50.114.0.0/16", "data": {"country": {"iso_code": "US"}}}]}
//
// JSON objects become MMDB maps, arrays arrays, strings strings, booleans booleans; whole
// numbers become uint32 (autonomous_system_number, geoname_id) and other numbers float64.
package main

import (
	"encoding/json"
	"fmt"
	"math"
	"net"
	"os"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
)

type spec struct {
	DatabaseType string `json:"databaseType"`
	IPVersion    int    `json:"ipVersion"`
	Records      []struct {
		Network string `json:"network"`
		Data    any    `json:"data"`
	} `json:"records"`
}

func toMMDB(v any) (mmdbtype.DataType, error) {
	switch t := v.(type) {
	case map[string]any:
		m := mmdbtype.Map{}
		for k, e := range t {
			c, err := toMMDB(e)
			if err != nil {
				return nil, err
			}
			m[mmdbtype.String(k)] = c
		}
		return m, nil
	case []any:
		s := mmdbtype.Slice{}
		for _, e := range t {
			c, err := toMMDB(e)
			if err != nil {
				return nil, err
			}
			s = append(s, c)
		}
		return s, nil
	case string:
		return mmdbtype.String(t), nil
	case bool:
		return mmdbtype.Bool(t), nil
	case float64:
		if t >= 0 && t <= math.MaxUint32 && t == math.Trunc(t) {
			return mmdbtype.Uint32(uint32(t)), nil
		}
		return mmdbtype.Float64(t), nil
	}
	return nil, fmt.Errorf("unsupported JSON value %v", v)
}

func run() error {
	if len(os.Args) != 2 {
		return fmt.Errorf("usage: mmdb-writer OUT.mmdb < spec.json")
	}
	var s spec
	if err := json.NewDecoder(os.Stdin).Decode(&s); err != nil {
		return fmt.Errorf("reading the spec: %w", err)
	}
	ipVersion := s.IPVersion
	if ipVersion == 0 {
		ipVersion = 6
	}
	tree, err := mmdbwriter.New(mmdbwriter.Options{
		DatabaseType:            s.DatabaseType,
		IPVersion:               ipVersion,
		RecordSize:              28,
		IncludeReservedNetworks: true,
		Description:             map[string]string{"en": "egts test database"},
		Languages:               []string{"en"},
	})
	if err != nil {
		return err
	}
	for _, r := range s.Records {
		_, network, err := net.ParseCIDR(r.Network)
		if err != nil {
			return fmt.Errorf("record %q: %w", r.Network, err)
		}
		data, err := toMMDB(r.Data)
		if err != nil {
			return fmt.Errorf("record %q: %w", r.Network, err)
		}
		if err := tree.Insert(network, data); err != nil {
			return fmt.Errorf("record %q: %w", r.Network, err)
		}
	}
	out, err := os.Create(os.Args[1])
	if err != nil {
		return err
	}
	if _, err := tree.WriteTo(out); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "mmdb-writer:", err)
		os.Exit(1)
	}
}
