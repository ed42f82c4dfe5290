// The MIME target: see its issue. This file keeps the target buildable until its code lands.
