package reports

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/citizenstation/citizenstation/internal/vietnamese"
)

// SampleWards is a small GeoJSON file of four Ho Chi Minh City wards for
// tests and make run. The codes and names are plausible; the polygons are
// invented rectangles near the old District 1, not official boundaries.
//
//go:embed wards-sample.geojson
var SampleWards []byte

// Ward is one ward as imported.
type Ward struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

type featureCollection struct {
	Type     string `json:"type"`
	Features []struct {
		Type       string          `json:"type"`
		Properties map[string]any  `json:"properties"`
		Geometry   json.RawMessage `json:"geometry"`
	} `json:"features"`
}

// ImportWards reads a GeoJSON FeatureCollection whose features carry
// properties.code and properties.name and Polygon or MultiPolygon
// geometries (WGS84), and inserts or replaces those wards in one
// transaction: either every ward of the file is stored or none.
func ImportWards(ctx context.Context, pool *pgxpool.Pool, data []byte) ([]Ward, error) {
	var fc featureCollection
	if err := json.Unmarshal(data, &fc); err != nil {
		return nil, fmt.Errorf("wards: not GeoJSON: %w", err)
	}
	if fc.Type != "FeatureCollection" || len(fc.Features) == 0 {
		return nil, fmt.Errorf("wards: want a FeatureCollection with features")
	}
	var wards []Ward
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		seen := map[string]bool{}
		for i, f := range fc.Features {
			code := strings.TrimSpace(fmt.Sprint(f.Properties["code"]))
			name, _ := f.Properties["name"].(string)
			name = vietnamese.NFC(strings.TrimSpace(name))
			if f.Properties["code"] == nil || code == "" || name == "" {
				return fmt.Errorf("wards: feature %d needs properties.code and properties.name", i+1)
			}
			if seen[code] {
				return fmt.Errorf("wards: code %s appears twice", code)
			}
			seen[code] = true
			var g struct {
				Type string `json:"type"`
			}
			if err := json.Unmarshal(f.Geometry, &g); err != nil || (g.Type != "Polygon" && g.Type != "MultiPolygon") {
				return fmt.Errorf("wards: feature %d (%s): geometry must be a Polygon or MultiPolygon", i+1, code)
			}
			_, err := tx.Exec(ctx, `
				INSERT INTO wards (code, name, geom)
				SELECT $1, $2, ST_Multi(CASE WHEN ST_IsValid(g) THEN g ELSE ST_CollectionExtract(ST_MakeValid(g), 3) END)
				FROM (SELECT ST_SetSRID(ST_GeomFromGeoJSON($3), 4326) AS g) s
				ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, geom = EXCLUDED.geom, imported_at = now()`,
				code, name, string(f.Geometry))
			if err != nil {
				return fmt.Errorf("wards: feature %d (%s): %w", i+1, code, err)
			}
			wards = append(wards, Ward{Code: code, Name: name})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return wards, nil
}

// ListWards returns every imported ward, by code.
func ListWards(ctx context.Context, pool *pgxpool.Pool) ([]Ward, error) {
	rows, err := pool.Query(ctx, `SELECT code, name FROM wards ORDER BY code`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[Ward])
}

// locateWard finds the ward of a point: the polygon that contains it (the
// lowest code when it lies on a shared edge), or else the nearest ward. The
// GiST index answers both: containment first, and only when no polygon holds
// the point, the few nearest by planar distance, ranked again in metres.
func locateWard(ctx context.Context, q querier, lat, lng float64) (code, source string, err error) {
	err = q.QueryRow(ctx, `
		WITH p AS (SELECT ST_SetSRID(ST_MakePoint($2, $1), 4326) AS pt)
		(SELECT code, 'polygon' FROM wards, p WHERE ST_Covers(geom, p.pt) ORDER BY code LIMIT 1)
		UNION ALL
		(SELECT code, 'nearest' FROM (
			SELECT code, geom FROM wards, p ORDER BY geom <-> p.pt LIMIT 5) near, p
		 ORDER BY ST_Distance(near.geom::geography, p.pt::geography), code LIMIT 1)
		LIMIT 1`, lat, lng).Scan(&code, &source)
	if err == pgx.ErrNoRows {
		return "", "none", nil
	}
	return code, source, err
}

// wardFromAddress finds a ward, or else one of the city's official units,
// whose name appears in an address typed without a position, matching words without diacritics: "12 Lê Lợi, Bến
// Thành" and "phuong ben thanh" both name Phường Bến Thành.
func wardFromAddress(ctx context.Context, q querier, address string) (string, error) {
	words := vietnamese.Words(address)
	if len(words) == 0 {
		return "", nil
	}
	folded := " " + strings.Join(words, " ") + " "
	// Wards with boundaries first; then the city's official units
	// (admin_units) that no imported ward stands for, so that an address
	// still finds its unit where no boundary file was imported.
	rows, err := q.Query(ctx, `SELECT code, name FROM (
			SELECT code, name, 0 AS official FROM wards
			UNION ALL
			SELECT u.code, u.name, 1 FROM admin_units u
			WHERE NOT EXISTS (SELECT 1 FROM wards w WHERE w.code = u.code OR w.name = u.name)) x
		ORDER BY length(name) DESC, official, code`)
	if err != nil {
		return "", err
	}
	wards, err := pgx.CollectRows(rows, pgx.RowToStructByPos[Ward])
	if err != nil {
		return "", err
	}
	for _, w := range wards {
		name := strings.Join(vietnamese.Words(w.Name), " ")
		for _, prefix := range []string{"phuong ", "xa ", "dac khu "} {
			name = strings.TrimPrefix(name, prefix)
		}
		if strings.Contains(folded, " "+name+" ") {
			return w.Code, nil
		}
	}
	return "", nil
}

// WardIn finds the ward an address names ("12 Lê Lợi, phường Bến Thành"):
// the imported ward whose name, with or without its "Phường" or "Xã",
// appears in the address, compared without diacritics; the longest name
// wins. ok is false when the address names none.
func WardIn(ctx context.Context, pool *pgxpool.Pool, address string) (w Ward, ok bool, err error) {
	wards, err := ListWards(ctx, pool)
	if err != nil {
		return Ward{}, false, err
	}
	text := " " + strings.Join(vietnamese.Words(address), " ") + " "
	best := 0
	for _, c := range wards {
		name := strings.Join(vietnamese.Words(c.Name), " ")
		for _, prefix := range []string{"phuong ", "xa ", "dac khu "} {
			name = strings.TrimPrefix(name, prefix)
		}
		if len(name) > best && strings.Contains(text, " "+name+" ") {
			w, ok, best = c, true, len(name)
		}
	}
	return w, ok, nil
}

// WardByCode returns the imported ward of code.
func WardByCode(ctx context.Context, pool *pgxpool.Pool, code string) (Ward, error) {
	w := Ward{Code: code}
	err := pool.QueryRow(ctx, `SELECT name FROM wards WHERE code = $1`, code).Scan(&w.Name)
	return w, err
}
